"""The records a regulator asks for, derived from the journal (nothing here is stored):

- :mod:`~execution.records.calendar`: Hong Kong time, business days, statement months;
- :mod:`~execution.records.trades`: the orders a session's journal recorded, with their
  fills as exact decimals;
- :mod:`~execution.records.contract_notes`: one contract note per filled order, due within
  two business days;
- :mod:`~execution.records.statements`: a customer's monthly statement (JSON, CSV);
- :mod:`~execution.records.bundle`: a session's export bundle for complaint handling,
  and its verification from the bundle alone.
"""
