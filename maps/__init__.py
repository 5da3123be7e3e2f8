"""maillage.maps"""
