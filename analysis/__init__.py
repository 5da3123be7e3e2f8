"""maillage.analysis"""
