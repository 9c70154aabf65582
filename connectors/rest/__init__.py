"""mapwright.connectors.rest"""
