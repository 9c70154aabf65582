"""mapwright.engine.migrations.versions"""
