"""mapwright.engine.migrations"""
