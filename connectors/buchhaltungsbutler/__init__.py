"""mapwright.connectors.buchhaltungsbutler"""
