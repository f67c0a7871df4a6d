"""The JSON API (django-ninja), the pages' twin: same actions, same access door, same audit."""
