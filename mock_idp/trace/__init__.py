"""The SAML tracer's pure core: what the browser exchanged with the mock, decoded and explained.

- `recording`: one HTTP exchange → hops (the one the mock saw, and the SP's it did not), grouped
  into flows; `flows`: hops in the shared store, flows read back, the step-mode setting;
- `messages`: decoding as the message travelled (Redirect: base64 + raw DEFLATE; POST: base64),
  the auto-post form read out of a page;
- `facts`: the app settings a message is explained against, snapshotted when it travels;
- `annotate` (`request_notes`, `response_notes`, `notes`, `rules`): per element that matters,
  what it is and where its value came from, checked against those settings;
- `explain`, `markup`, `diagram`: what the pages show (highlighted lines, the sequence diagram).

No Flask here: the hooks are `mock_idp/views/trace_recorder.py`, the pages `views/trace.py`.
"""
