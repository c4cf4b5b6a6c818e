"""The Bronsysteem: a lightweight LAS that creates, sends and serves zorgvragen."""
