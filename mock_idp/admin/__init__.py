"""What the admin center and the automation API do to a tenant, without Flask.

Each function takes the tenant (or one of its objects) and the values a person or a script
entered, checks them as Entra does, and changes the tenant only when every check passed;
otherwise it raises an `errors.AdminError` saying what to fix. Callers hold `tenant.lock`.
"""
