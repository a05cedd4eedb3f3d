"""`mock-entra audit`: the fault catalogue against anyone's SAML SP, over real HTTP.

`model` is the pure core (target, plan, verdicts), `runner` drives one fresh browser per case
(`browser`, `forms`) through the mock's test-mode API (`control`), `report` prints the table
and writes JUnit XML, `cli` is the subcommand and `pytest_plugin` the `--entra-audit` form.
"""
