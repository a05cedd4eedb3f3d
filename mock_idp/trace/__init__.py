"""The SAML tracer's pure core: what the browser exchanged with the mock, decoded and explained.

`messages` decodes SAML messages as they travel (Redirect: base64 + raw DEFLATE; POST: base64)
and reads the auto-post form out of a page; `facts` snapshots the app settings a message is
explained against; `annotate` says, per element that matters, what it is and where its value
came from; `markup` turns a message into highlighted lines; `flows` keeps hops and groups them
into flows; `diagram` lays a flow out as a sequence diagram. No Flask here: the recording hooks
and pages are `mock_idp/views/trace.py` and `mock_idp/views/trace_recorder.py`.
"""
