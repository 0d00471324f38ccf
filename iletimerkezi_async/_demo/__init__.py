"""The steps of ``iletimerkezi demo`` (entry point: :func:`iletimerkezi_async.demo.run_demo`).

Split by direction so each module stays readable: :mod:`.tour` holds the
shared state and the seeded account, :mod:`.sending` the steps that create
orders, :mod:`.reading` the steps that read or receive.
"""
