"""Segmentation rules: revenue potential is a band, the country an ISO code, a region needs one."""

from extensions import db
from models import Client
from tests.factories import ClientFactory
from tests.models.rules import refused


def client(**values):
    base = {"name": "Segment Co", "short_name": "SEG", "location": "Local"}
    return Client(**{**base, **values})


def test_revenue_potential_must_be_one_of_the_bands(ctx):
    assert ">1M" in refused(client(revenue_potential="lots"), "revenue_potential")


def test_country_must_be_an_iso_code(ctx):
    assert "ISO 3166" in refused(client(country="XX"), "country")


def test_a_region_needs_a_country(ctx):
    assert "needs a country" in refused(client(region="Metro Manila"), "region")


def test_a_segmented_client_is_saved_with_its_country_upper_cased(ctx):
    saved = ClientFactory(revenue_potential="250k-1M", country="ph", region="Metro Manila")
    db.session.expire_all()
    assert (saved.revenue_potential, saved.country, saved.region) == (
        "250k-1M",
        "PH",
        "Metro Manila",
    )
