"""Nimbus's Python runtime interface client: speaks the Lambda Runtime API 2018-06-01 for python3.9-3.13
functions, modelled on AWS's awslambdaric. Standard library only; runs inside an execution environment and
never imports server code. Start it through ../bootstrap.py (its docstring gives the command line).
"""
