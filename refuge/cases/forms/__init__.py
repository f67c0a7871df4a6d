"""Forms of the case pages, by subdomain: they parse and check input; the actions validate the case file."""
