"""mapwright.connectors.shop"""
