"""mapwright.connectors.exact_online.sandbox"""
