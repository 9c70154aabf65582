"""mapwright.connectors.files"""
