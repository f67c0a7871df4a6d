"""Users, organisations and their roles."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        db_table = "accounts_user"

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def membership(self) -> Membership | None:
        """The user's membership (a user belongs to one organisation)."""
        cached = getattr(self, "_membership_cache", False)
        if cached is not False:
            return cached  # type: ignore[no-any-return]  # cache set below
        member = Membership.objects.select_related("organisation").filter(user=self).first()
        self._membership_cache = member
        return member


class Organisation(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    LAWYER = "lawyer", "Lawyer"
    CASEWORKER = "caseworker", "Caseworker"
    ANALYST = "analyst", "Analyst"


class Membership(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="membership_row")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.CASEWORKER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation", "user__username"]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.organisation})"

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_analyst(self) -> bool:
        return self.role == Role.ANALYST

    @property
    def can_see_identity(self) -> bool:
        return self.role != Role.ANALYST
