"""What the drafted order book draws on: buyer markets, payment habits, carriers, and why
inquiries are lost.

A market is a country with its currency, how much it buys, and the cities and ports its
buyers ship to. Weights are relative; the rest are plain tables laid out by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


@dataclass(frozen=True)
class Market:
    country: str
    currency: str
    weight: int
    cities: tuple[str, ...]
    port: str


# fmt: off
MARKETS = (
    Market("US", "USD", 20, ("Newark", "Chicago", "Los Angeles", "Houston"), "New York"),
    Market("DE", "EUR", 10, ("Hamburg", "Munich", "Cologne"), "Hamburg"),
    Market("GB", "GBP", 8, ("London", "Manchester", "Leeds"), "Felixstowe"),
    Market("FR", "EUR", 6, ("Paris", "Lyon", "Lille"), "Le Havre"),
    Market("NL", "EUR", 5, ("Rotterdam", "Utrecht"), "Rotterdam"),
    Market("IT", "EUR", 5, ("Milan", "Bologna", "Naples"), "Genoa"),
    Market("ES", "EUR", 4, ("Madrid", "Valencia", "Barcelona"), "Valencia"),
    Market("AE", "AED", 5, ("Dubai", "Sharjah", "Abu Dhabi"), "Jebel Ali"),
    Market("SA", "USD", 3, ("Riyadh", "Jeddah"), "Jeddah"),
    Market("CA", "USD", 4, ("Toronto", "Vancouver", "Montreal"), "Vancouver"),
    Market("AU", "USD", 3, ("Sydney", "Melbourne"), "Melbourne"),
    Market("JP", "USD", 3, ("Osaka", "Yokohama"), "Yokohama"),
    Market("KR", "USD", 2, ("Seoul", "Busan"), "Busan"),
    Market("SG", "USD", 2, ("Singapore",), "Singapore"),
    Market("BR", "USD", 2, ("São Paulo", "Curitiba"), "Santos"),
    Market("MX", "USD", 2, ("Monterrey", "Guadalajara"), "Manzanillo"),
    Market("ZA", "USD", 2, ("Johannesburg", "Durban"), "Durban"),
    Market("KE", "USD", 1, ("Nairobi", "Mombasa"), "Mombasa"),
    Market("NG", "USD", 1, ("Lagos",), "Apapa"),
    Market("PL", "EUR", 2, ("Warsaw", "Gdańsk"), "Gdańsk"),
    Market("SE", "EUR", 2, ("Stockholm", "Gothenburg"), "Gothenburg"),
    Market("BE", "EUR", 2, ("Antwerp", "Brussels"), "Antwerp"),
    Market("IE", "EUR", 1, ("Dublin", "Cork"), "Dublin"),
    Market("CL", "USD", 1, ("Santiago",), "San Antonio"),
)

COMPANY_WORDS = (
    "Atlas", "Harbor", "Meridian", "Northwind", "Summit", "Crescent", "Orchid", "Falcon",
    "Baltic", "Pioneer", "Sterling", "Cedar", "Lotus", "Granite", "Silverline", "Oakmont",
)
COMPANY_KINDS = (
    "Trading", "Imports", "Wholesale", "Supply", "Distribution", "Retail Group", "Home",
    "Interiors", "Foods", "Industrial",
)
FIRST_NAMES = ("Anna", "Omar", "Li", "Maria", "James", "Fatima", "Ken", "Sofia", "Ravi", "Elif")
LAST_NAMES = ("Novak", "Haddad", "Chen", "Rossi", "Smith", "Khan", "Sato", "Garcia", "Iyer")

# Where the goods leave from, and who carries them.
ORIGIN_PORTS = ("Nhava Sheva", "Mundra", "Izmir", "Mersin", "Shanghai", "Ningbo", "Chittagong")
SEA_CARRIERS = (("Maersk", "MSKU"), ("MSC", "MSCU"), ("CMA CGM", "CMAU"),
                ("Hapag-Lloyd", "HLXU"), ("COSCO", "CSNU"), ("Evergreen", "EGHU"))
VESSELS = ("Ever Given", "Maersk Essen", "MSC Gülsün", "CMA CGM Marco Polo", "COSCO Pride")
AIR_CARRIERS = (("Turkish Cargo", "TK"), ("Emirates SkyCargo", "EK"), ("Lufthansa Cargo", "LH"))
ROAD_CARRIERS = ("DB Schenker", "DSV Road", "Kuehne+Nagel Road", "XPO Logistics")

# Why an inquiry was lost: a code for the funnel report beside the words sales wrote.
LOST_REASONS = (
    ("price", "their target price was below our floor"),
    ("lead_time", "needed the goods sooner than we can ship"),
    ("moq", "quantity below our minimum order"),
    ("specification", "could not match the specification"),
    ("competitor", "went with another supplier"),
    ("no_response", "no reply after the quote"),
    ("cancelled_by_buyer", "the buyer's project was cancelled"),
    ("other", "closed by sales"),
)
# fmt: on


class Payer(StrEnum):
    """How a client pays its balances: on time, late, or some never."""

    PROMPT = "prompt"
    LATE = "late"
    DEFAULTER = "defaulter"


PAYERS = (Payer.PROMPT,) * 70 + (Payer.LATE,) * 25 + (Payer.DEFAULTER,) * 5

# Payment terms a company may get: advance percent, balance due on, net days.
TERMS = (
    (0, "invoice", 30),
    (0, "invoice", 60),
    (30, "bill_of_lading", 0),
    (30, "bill_of_lading", 30),
    (50, "delivery", 15),
    (100, "invoice", 0),
    (20, "invoice", 45),
)
CREDIT_LIMITS = tuple(Decimal(amount) for amount in (50_000, 100_000, 250_000, 500_000))
INCOTERMS = ("FOB", "FOB", "CIF", "CIF", "CFR", "EXW", "DAP")
# Seasons of import buying: autumn stocks up for the year-end, summer is quiet.
MONTH_WEIGHTS = (0.85, 0.9, 1.0, 1.05, 1.0, 0.9, 0.8, 0.85, 1.1, 1.2, 1.25, 0.95)
# Yearly growth of the order book, and how quiet weekends are.
GROWTH_PER_YEAR = 0.3
WEEKEND_WEIGHT = 0.25
