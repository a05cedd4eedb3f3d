"""The fault catalogue: SAML attacks and misconfigurations on demand, each by a stable name.

`catalogue.CATALOGUE` lists the cases (docs/reference/attacks.md §3); `build.build` makes a case's
response on the path valid responses take; `delivery.fault_delivery` plugs a case into
`mock_idp.sso.issue`; `runtime` chooses the case (tenant file, control API, Scenario menu).
"""
