"""mapwright.examples"""
