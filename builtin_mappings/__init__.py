"""mapwright.builtin_mappings"""
