"""mapwright.connectors.exact_online"""
