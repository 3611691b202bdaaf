"""Booking: reservations, holds, waitlists, assignment."""
