"""maillage.layers"""
