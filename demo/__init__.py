"""`make demo`: the seed tutorial walked in Chromium, written up as an offline storyboard."""
