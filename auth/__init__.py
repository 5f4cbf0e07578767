"""Identity and access: passwords, sessions, API keys, MFA, roles and the permission policy."""
