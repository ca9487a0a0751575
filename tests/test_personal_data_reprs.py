"""What carries an ID or phone number on its way in says nothing of it when printed: a
request model's or a kiosk message's repr ends up in crash logs (Textual prints a crashed
kiosk's locals) and in debugging output."""

from datetime import date

from queue_server.protocol import AppointmentCheckIn, AppointmentCreate, TicketCreate
from tests.real_name_support import ID_NUMBER, PHONE
from ticket_printer.kiosk.messages import CheckInRequested, IdNumberEntered


def test_request_models_keep_the_numbers_out_of_their_repr() -> None:
    requests = [
        TicketCreate(category="general", id_number=ID_NUMBER),
        AppointmentCreate(
            hall="main",
            category="general",
            day=date(2026, 5, 7),
            slot="09:00",
            id_number=ID_NUMBER,
            phone=PHONE,
        ),
        AppointmentCheckIn(id_number=ID_NUMBER),
    ]
    for request in requests:
        for shown in (repr(request), str(request)):
            assert ID_NUMBER not in shown and ID_NUMBER[:17] not in shown
            assert PHONE not in shown
        assert request.model_dump()["id_number"] == ID_NUMBER  # still sent as it is


def test_kiosk_messages_keep_the_numbers_out_of_their_repr() -> None:
    for message in (IdNumberEntered(ID_NUMBER), CheckInRequested(ID_NUMBER)):
        assert ID_NUMBER[:17] not in repr(message)
