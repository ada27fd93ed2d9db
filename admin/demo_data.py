"""The demo agency's data: logins, industries, tags, cities and the client book.

Plain tables, read by ``admin/demo.py``; the logins are listed in the README and are for a
local demo, never for production.
"""

from __future__ import annotations

from typing import NamedTuple

from models.access import (
    ROLE_ACCOUNT_MANAGER,
    ROLE_ADMIN,
    ROLE_FINANCE,
    ROLE_RECRUITER,
)

AGENCY = "Northstar Talent Partners"
STAFF_DOMAIN = "northstar.example"


class DemoStaff(NamedTuple):
    role: str
    username: str
    password: str
    first_name: str
    last_name: str


class DemoPortalUser(NamedTuple):
    client: str  # short name of the client
    username: str  # the contact's email
    password: str
    areas: tuple[str, ...]


STAFF_LOGINS = (
    DemoStaff(ROLE_ADMIN, "admin", "Demo-Admin-2026!", "Andrea", "Lim"),
    DemoStaff(ROLE_ACCOUNT_MANAGER, "manager", "Demo-Manager-2026!", "Paolo", "Mendoza"),
    DemoStaff(ROLE_RECRUITER, "recruiter", "Demo-Recruiter-2026!", "Bea", "Cruz"),
    DemoStaff(ROLE_FINANCE, "finance", "Demo-Finance-2026!", "Ramon", "Garcia"),
)
PORTAL_LOGINS = (
    DemoPortalUser(
        "BAYANIHAN",
        "maria.santos@bayanihanfoods.example",
        "Demo-Portal-Admin-2026!",
        ("hiring", "billing", "signatory", "client_admin"),
    ),
    DemoPortalUser(
        "MERLION", "james.tan@merlionfreight.example", "Demo-Portal-Hiring-2026!", ("hiring",)
    ),
)

# ---------------------------------------------------------------- reference data

INDUSTRIES = (
    "Agriculture & Food",
    "Banking & Financial Services",
    "Business Process Outsourcing",
    "Education",
    "Energy & Utilities",
    "Government & Public Sector",
    "Healthcare",
    "Hospitality & Tourism",
    "Information Technology",
    "Logistics & Shipping",
    "Manufacturing",
    "Professional Services",
    "Real Estate & Construction",
    "Retail & Consumer Goods",
    "Telecommunications",
)
TAGS = {
    "key-account": "#1f6feb",
    "retained-search": "#8250df",
    "volume-hiring": "#1a7f37",
    "at-risk": "#cf222e",
    "referral": "#bf8700",
    "government": "#57606a",
}

# city: (street, region, postal code, ISO country)
CITIES = {
    "Makati": ("6750 Ayala Avenue", "Metro Manila", "1226", "PH"),
    "Taguig": ("32nd Street, Bonifacio Global City", "Metro Manila", "1634", "PH"),
    "Pasig": ("ADB Avenue, Ortigas Center", "Metro Manila", "1605", "PH"),
    "Quezon City": ("Eastwood Avenue, Bagumbayan", "Metro Manila", "1110", "PH"),
    "Pasay": ("Diosdado Macapagal Boulevard", "Metro Manila", "1300", "PH"),
    "Mandaluyong": ("EDSA corner Shaw Boulevard", "Metro Manila", "1550", "PH"),
    "Manila": ("Bonifacio Drive, Port Area", "Metro Manila", "1018", "PH"),
    "Cebu City": ("Cebu IT Park, Apas", "Cebu", "6000", "PH"),
    "Lapu-Lapu": ("Punta Engaño Road, Mactan", "Cebu", "6015", "PH"),
    "Davao City": ("J.P. Laurel Avenue, Bajada", "Davao del Sur", "8000", "PH"),
    "General Santos": ("National Highway, Lagao", "South Cotabato", "9500", "PH"),
    "Iloilo City": ("Iloilo Business Park, Mandurriao", "Iloilo", "5000", "PH"),
    "Baguio": ("Governor Pack Road", "Benguet", "2600", "PH"),
    "Cabuyao": ("Light Industry and Science Park II", "Laguna", "4025", "PH"),
    "Calamba": ("Calamba Premiere International Park", "Laguna", "4027", "PH"),
    "Lipa": ("Lima Technology Center, Malvar", "Batangas", "4233", "PH"),
    "Mabalacat": ("Clark Freeport Zone", "Pampanga", "2023", "PH"),
    "Singapore": ("10 Pasir Panjang Road", None, "117438", "SG"),
    "Sydney": ("200 George Street", "New South Wales", "2000", "AU"),
    "Perth": ("240 St Georges Terrace", "Western Australia", "6000", "AU"),
    "London": ("25 Canada Square", None, "E14 5LQ", "GB"),
    "Manchester": ("1 Spinningfields Square", None, "M3 3AP", "GB"),
    "Stuttgart": ("Heilbronner Straße 150", "Baden-Württemberg", "70191", "DE"),
    "Amsterdam": ("Gustav Mahlerlaan 10", "North Holland", "1082 PP", "NL"),
    "Dublin": ("2 Grand Canal Square", None, "D02 A342", "IE"),
    "Paris": ("15 Rue de la Paix", "Île-de-France", "75002", "FR"),
    "Nagoya": ("4-7-1 Meieki, Nakamura-ku", "Aichi", "450-0002", "JP"),
    "Hong Kong": ("8 Finance Street, Central", None, None, "HK"),
    "Dubai": ("Sheikh Zayed Road, Trade Centre 1", None, None, "AE"),
    "Toronto": ("100 King Street West", "Ontario", "M5X 1A9", "CA"),
    "Auckland": ("88 Shortland Street", None, "1010", "NZ"),
    "New York": ("350 Fifth Avenue", "New York", "10118", "US"),
    "Austin": ("500 West 2nd Street", "Texas", "78701", "US"),
}
DIAL_CODES = {
    "PH": "+63 2",
    "SG": "+65",
    "AU": "+61 2",
    "GB": "+44 20",
    "DE": "+49 711",
    "NL": "+31 20",
    "IE": "+353 1",
    "FR": "+33 1",
    "JP": "+81 52",
    "HK": "+852",
    "AE": "+971 4",
    "CA": "+1 416",
    "NZ": "+64 9",
    "US": "+1 212",
}
VAT_COUNTRIES = ("GB", "DE", "NL", "IE", "FR")

# ---------------------------------------------------------------- clients

SECONDARY, PRIMARY, EMERGENCY, REFERENCE = "secondary", "primary", "emergency", "reference"


class DemoClient(NamedTuple):
    name: str
    short_name: str
    industry: str
    status: str
    location: str
    currency: str
    terms: str | None  # "Net 30", "MFI 30", "Immediate", "Custom: <how they pay>" or None
    year: int | None  # new-business year (won clients only)
    size: str
    tags: tuple[str, ...]
    domain: str
    billing: str  # city in CITIES
    workplace: str
    # (first name, last name, title, department, role at the client)
    contacts: tuple[tuple[str, str, str, str, str], ...]


C = DemoClient
# One client a paragraph reads better than one value a line, so the formatter leaves it be.
# fmt: off
CLIENTS = (
    C("Bayanihan Foods Corporation", "BAYANIHAN", "Manufacturing", "active", "Local", "PHP",
      "Net 30", 2016, "1001-5000", ("key-account", "volume-hiring"), "bayanihanfoods.example",
      "Makati", "Cabuyao",
      (("Maria", "Santos", "HR Director", "Human Resources", PRIMARY),
       ("Jose", "Dizon", "Plant HR Manager", "Human Resources", SECONDARY),
       ("Liza", "Ramos", "Accounts Payable Lead", "Finance", SECONDARY))),
    C("Merlion Freight Pte. Ltd.", "MERLION", "Logistics & Shipping", "active", "Foreign", "SGD",
      "Net 45", 2019, "201-1000", ("key-account",), "merlionfreight.example",
      "Singapore", "Pasay",
      (("James", "Tan", "Talent Acquisition Lead", "People", PRIMARY),
       ("Priya", "Nair", "Finance Manager", "Finance", SECONDARY))),
    C("Kalayaan Contact Solutions Inc.", "KALAYAAN", "Business Process Outsourcing", "active",
      "Local", "USD", "Net 30", 2015, "5000+", ("key-account", "volume-hiring"),
      "kalayaancx.example", "Taguig", "Cebu City",
      (("Ramon", "Aquino", "VP People", "People", PRIMARY),
       ("Carla", "Mendoza", "Recruitment Manager", "Talent Acquisition", SECONDARY),
       ("Edwin", "Cruz", "Site Director, Cebu", "Operations", EMERGENCY))),
    C("Harbourside Analytics Ltd", "HARBOURSIDE", "Information Technology", "active", "Foreign",
      "GBP", "MFI 30", 2021, "51-200", ("retained-search",), "harbourside.example",
      "London", "Makati",
      (("Oliver", "Bennett", "Head of Engineering", "Engineering", PRIMARY),
       ("Sophie", "Clarke", "Operations Manager", "Operations", SECONDARY))),
    C("Southern Cross Health Group", "SOUTHERNCROSS", "Healthcare", "active", "Foreign", "AUD",
      "Net 30", 2018, "1001-5000", ("volume-hiring",), "southerncrosshealth.example",
      "Sydney", "Sydney",
      (("Emma", "Walsh", "Nursing Workforce Manager", "Clinical Services", PRIMARY),
       ("Liam", "Connor", "Payroll Officer", "Finance", SECONDARY))),
    C("Banco Maharlika", "MAHARLIKA", "Banking & Financial Services", "active", "Local", "PHP",
      "Net 60", 2017, "5000+", ("key-account", "retained-search"), "bancomaharlika.example",
      "Makati", "Pasig",
      (("Teresa", "Villanueva", "SVP Human Resources", "Human Resources", PRIMARY),
       ("Miguel", "Reyes", "Procurement Officer", "Procurement", SECONDARY))),
    C("Rheinwerk Automotive GmbH", "RHEINWERK", "Manufacturing", "active", "Foreign", "EUR",
      "Net 60", 2020, "5000+", ("retained-search",), "rheinwerk.example", "Stuttgart", "Lipa",
      (("Katrin", "Hoffmann", "Global Talent Partner", "HR", PRIMARY),
       ("Markus", "Weber", "Plant Director, Lipa", "Operations", SECONDARY))),
    C("Mabuhay Resorts & Hotels Inc.", "MABUHAY", "Hospitality & Tourism", "active", "Local",
      "PHP", "Immediate", 2022, "1001-5000", ("volume-hiring",), "mabuhayresorts.example",
      "Pasay", "Lapu-Lapu",
      (("Grace", "Lim", "Director of Talent", "Human Resources", PRIMARY),)),
    C("Metro Transit Development Authority", "MTDA", "Government & Public Sector", "active",
      "Local", "PHP", "Custom: per milestone, paid within 30 days of the acceptance report "
      "(government procurement rules)", 2023, "1001-5000", ("government",), "mtda.example",
      "Quezon City", "Quezon City",
      (("Antonio", "Bautista", "Administrative Officer V", "Administration", PRIMARY),
       ("Rosario", "Dela Cruz", "BAC Secretariat", "Bids and Awards", SECONDARY))),
    C("Western Visayas Water District", "WVWD", "Energy & Utilities", "prospect", "Local", "PHP",
      "Custom: billed per placement after acceptance; 2% withholding tax", None, "201-1000",
      ("government",), "wvwd.example", "Iloilo City", "Iloilo City",
      (("Felicidad", "Torres", "HR Management Officer", "Human Resources", PRIMARY),)),
    C("Lakbay Logistics Corporation", "LAKBAY", "Logistics & Shipping", "active", "Local", "PHP",
      "Net 45", 2024, "201-1000", ("volume-hiring", "referral"), "lakbay.example",
      "Pasig", "Calamba",
      (("Noel", "Castillo", "Warehouse Operations Head", "Operations", PRIMARY),
       ("Joy", "Manalo", "HR Generalist", "Human Resources", SECONDARY))),
    C("Aurora Cloud Systems Inc.", "AURORA", "Information Technology", "active", "Foreign",
      "USD", "Net 30", 2026, "51-200", ("referral",), "auroracloud.example", "Austin", "Taguig",
      (("Rachel", "Kim", "VP Engineering", "Engineering", PRIMARY),
       ("Daniel", "Ortiz", "Recruiting Coordinator", "People Ops", SECONDARY))),
    C("Nordlicht Software B.V.", "NORDLICHT", "Information Technology", "prospect", "Foreign",
      "EUR", "Net 30", None, "11-50", (), "nordlicht.example", "Amsterdam", "Makati",
      (("Pieter", "de Vries", "CTO", "Engineering", PRIMARY),)),
    C("Pacific Telecom Holdings", "PACTEL", "Telecommunications", "active", "Local", "PHP",
      "MFI 30", 2015, "5000+", ("key-account",), "pactel.example", "Mandaluyong", "Mandaluyong",
      (("Victor", "Navarro", "Head of Talent Acquisition", "Human Resources", PRIMARY),
       ("Irene", "Go", "Vendor Management Lead", "Procurement", SECONDARY),
       ("Carlo", "Pineda", "Network Operations Manager", "Technology", REFERENCE))),
    C("Kingsbridge Insurance plc", "KINGSBRIDGE", "Banking & Financial Services", "inactive",
      "Foreign", "GBP", "Net 30", 2016, "1001-5000", ("at-risk",), "kingsbridge.example",
      "Manchester", "Manchester",
      (("Harriet", "Moss", "Resourcing Manager", "HR", PRIMARY),)),
    C("Sakura Precision Components", "SAKURA", "Manufacturing", "active", "Foreign", "JPY",
      "Net 60", 2018, "201-1000", (), "sakuraprecision.example", "Nagoya", "Mabalacat",
      (("Hiroshi", "Tanaka", "General Manager", "Management", PRIMARY),
       ("Aiko", "Yamamoto", "HR Coordinator", "Human Resources", SECONDARY))),
    C("St. Lorenzo Medical Center", "STLORENZO", "Healthcare", "active", "Local", "PHP",
      "Net 30", 2019, "1001-5000", ("volume-hiring",), "stlorenzo.example",
      "Quezon City", "Quezon City",
      (("Cecilia", "Panganiban", "Chief Nursing Officer", "Nursing", PRIMARY),
       ("Arnel", "Sison", "HR Supervisor", "Human Resources", SECONDARY))),
    C("Dalisay Dental Clinics", "DALISAY", "Healthcare", "lead", "Local", "PHP", None, None,
      "11-50", ("referral",), "dalisaydental.example", "Davao City", "Davao City",
      (("Kristine", "Dalisay", "Owner", "Management", SECONDARY),)),
    C("Emerald Isle Payments Ltd", "EMERALD", "Banking & Financial Services", "prospect",
      "Foreign", "EUR", "Net 30", None, "51-200", ("referral",), "emeraldpay.example",
      "Dublin", "Makati",
      (("Siobhan", "Byrne", "Head of People", "People", PRIMARY),
       ("Conor", "Kelly", "Compliance Lead", "Risk", SECONDARY))),
    C("Tala Renewable Energy Corp.", "TALA", "Energy & Utilities", "active", "Local", "PHP",
      "Net 45", 2020, "201-1000", ("retained-search",), "talaenergy.example", "Taguig", "Cebu City",
      (("Benjamin", "Yap", "Chief Operating Officer", "Operations", PRIMARY),
       ("Patricia", "Uy", "Talent Manager", "Human Resources", SECONDARY))),
    C("Outback Mining Services Pty Ltd", "OUTBACK", "Energy & Utilities", "inactive", "Foreign",
      "AUD", "MFI 30", 2017, "1001-5000", ("at-risk",), "outbackmining.example", "Perth", "Perth",
      (("Jack", "Thompson", "Site Recruitment Lead", "HR", PRIMARY),
       ("Chloe", "Nguyen", "Accounts Payable", "Finance", SECONDARY))),
    C("Gulf Horizon Hospitality LLC", "GULFHORIZON", "Hospitality & Tourism", "active", "Foreign",
      "AED", "Net 30", 2023, "1001-5000", ("volume-hiring",), "gulfhorizon.example",
      "Dubai", "Dubai",
      (("Omar", "Haddad", "Director of Human Resources", "HR", PRIMARY),
       ("Leah", "Fernandez", "Talent Acquisition Executive", "HR", SECONDARY))),
    C("Maple Leaf Care Homes", "MAPLELEAF", "Healthcare", "prospect", "Foreign", "CAD", "Net 45",
      None, "201-1000", (), "mapleleafcare.example", "Toronto", "Toronto",
      (("Sarah", "MacDonald", "Workforce Planning Manager", "HR", PRIMARY),)),
    C("Harana Retail Group", "HARANA", "Retail & Consumer Goods", "active", "Local", "PHP",
      "Net 30", 2021, "1001-5000", ("volume-hiring", "at-risk"), "harana.example",
      "Pasig", "Quezon City",
      (("Rowena", "Salazar", "Store Operations HR Head", "Human Resources", PRIMARY),
       ("Gilbert", "Lopez", "Finance Supervisor", "Finance", SECONDARY))),
    C("Silverfern Digital Ltd", "SILVERFERN", "Information Technology", "lead", "Foreign", "NZD",
      None, None, "11-50", ("referral",), "silverfern.example", "Auckland", "Auckland",
      (("Mere", "Parata", "Founder", "Management", SECONDARY),)),
    C("Bluewave Shipping Agencies", "BLUEWAVE", "Logistics & Shipping", "inactive", "Local",
      "PHP", "Net 30", 2015, "51-200", (), "bluewave.example", "Manila", "Manila",
      (("Eduardo", "Ventura", "Crewing Manager", "Crewing", PRIMARY),)),
    C("Lumière Cosmetics SAS", "LUMIERE", "Retail & Consumer Goods", "lead", "Foreign", "EUR",
      None, None, "201-1000", (), "lumiere.example", "Paris", "Paris",
      (("Camille", "Laurent", "Responsable RH Asie", "Ressources humaines", SECONDARY),
       ("Julien", "Moreau", "Regional Manager APAC", "Sales", SECONDARY))),
    C("Pinnacle Property Developers Inc.", "PINNACLE", "Real Estate & Construction", "active",
      "Local", "PHP", "Net 60", 2022, "1001-5000", ("retained-search",), "pinnacleprop.example",
      "Taguig", "Taguig",
      (("Francis", "Ong", "Chief People Officer", "People", PRIMARY),
       ("Marites", "Gonzales", "Executive Assistant", "Office of the CEO", SECONDARY))),
    C("Hudson & Pike LLP", "HUDSONPIKE", "Professional Services", "active", "Foreign", "USD",
      "MFI 30", 2024, "201-1000", ("retained-search", "referral"), "hudsonpike.example",
      "New York", "Makati",
      (("Elizabeth", "Carter", "Director of Legal Operations", "Legal Ops", PRIMARY),
       ("Michael", "Brooks", "Controller", "Finance", SECONDARY))),
    C("Golden Harvest Agri-Ventures", "GOLDHARVEST", "Agriculture & Food", "prospect", "Local",
      "PHP", "Net 30", None, "201-1000", (), "goldenharvest.example", "Davao City",
      "General Santos",
      (("Ricardo", "Montemayor", "Plantation Manager", "Operations", PRIMARY),)),
    C("Northern Luzon Polytechnic College", "NLPC", "Education", "active", "Local", "PHP",
      "Custom: paid per semester on the school's disbursement voucher", 2025, "201-1000",
      ("government",), "nlpc.example", "Baguio", "Baguio",
      (("Imelda", "Tolentino", "Vice President for Administration", "Administration", PRIMARY),
       ("Raymond", "Bagano", "Registrar", "Registrar", REFERENCE))),
    C("Kowloon Trade Finance Ltd", "KOWLOON", "Banking & Financial Services", "inactive",
      "Foreign", "HKD", "Net 45", 2019, "51-200", ("at-risk",), "kowloontf.example",
      "Hong Kong", "Hong Kong",
      (("Wing", "Chan", "HR Business Partner", "HR", PRIMARY),)),
    C("Sinag Solar Installers", "SINAG", "Energy & Utilities", "lead", "Local", "PHP", "Immediate",
      None, "11-50", ("referral",), "sinagsolar.example", "Cebu City", "Cebu City",
      (("Dennis", "Abellana", "Managing Director", "Management", PRIMARY),)),
    C("Bright Path Learning Centers", "BRIGHTPATH", "Education", "inactive", "Local", "PHP",
      "Immediate", 2016, "51-200", (), "brightpath.example", "Iloilo City", "Iloilo City",
      (("Lourdes", "Javier", "School Director", "Administration", PRIMARY),)),
    C("Philippine Coastal Services Office", "COASTAL", "Government & Public Sector", "lead",
      "Local", "PHP", "Custom: pays within 30 days of the inspection and acceptance report", None,
      "1001-5000", ("government",), "coastal.example", "Manila", "Manila",
      (("Herminio", "Salvador", "Chief Administrative Officer", "Administration", SECONDARY),)),
)
# fmt: on
