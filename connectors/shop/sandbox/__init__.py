"""mapwright.connectors.shop.sandbox"""
