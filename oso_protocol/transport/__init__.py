"""OSO SOAP transport: typed messages, the envelope codec, faults and the WSDL."""
from . import messages
from .codec import (CONTENT_TYPE, HTTP_STATUS_FAULT, decode, encode, encode_fault,
                    message_schema, peek_operation, soap_action)
from .faults import OsoFault
from .messages import BY_ELEMENT, MESSAGE_TYPES, NS, NS_20200910, Message

NS_20180404 = "http://xml.kennisnet.nl/schemas/Overstapservice/20180404"

__all__ = [
    "messages", "encode", "decode", "encode_fault", "peek_operation", "soap_action",
    "message_schema", "CONTENT_TYPE", "HTTP_STATUS_FAULT", "OsoFault", "Message",
    "MESSAGE_TYPES", "BY_ELEMENT", "NS", "NS_20200910", "NS_20180404",
]
