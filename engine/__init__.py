"""mapwright.engine"""
