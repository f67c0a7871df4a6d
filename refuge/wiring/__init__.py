"""The one place where every subscriber is connected to what it follows: see `subscribers.py`.

This package is a Django app (last in INSTALLED_APPS) only so that its `ready()` runs once every
other app is loaded; it has no models. Its `__init__` stays empty: Django imports it before any model.
"""
