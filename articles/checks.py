"""(being written: issue 17)"""
