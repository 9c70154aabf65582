"""mapwright.api"""
