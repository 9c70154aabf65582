"""The language: parse, compile and run mapping scripts."""
