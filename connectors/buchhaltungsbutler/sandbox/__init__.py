"""mapwright.connectors.buchhaltungsbutler.sandbox"""
