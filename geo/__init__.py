"""maillage.geo"""
