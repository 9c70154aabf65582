"""mapwright.connectors"""
