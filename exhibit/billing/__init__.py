"""The commercial half of a booking: requisites, invoices, contracts, acts, payments, service
orders (issue 16). Pure: checks, words, qr, statement, matching; models, services,
documents (PDF), orders, exports, dashboard."""
