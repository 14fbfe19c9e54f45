"""One pipeline for every command: read each input once, parse, evaluate, check, triage."""
