import json
from datetime import date
from decimal import Decimal

import pytest

from capture.extraction import KnownSupplier, extract
from capture.extraction.dates import parse_date
from capture.extraction.model import FIELD_NAMES
from capture.extraction.vatnumber import gb_check_digits_ok
from capture.ocr import read_document

from .conftest import needs_tesseract
from .helpers import page_from_lines


def read(sample, **options):
    return extract(read_document(sample.data, sample.mime), **options)


def box_text(result, name):
    """The words under a field's boxes, to prove the boxes point at the value."""
    return result.fields[name].boxes


@needs_tesseract
def test_it_reads_every_field_of_a_till_receipt(samples):
    sample = samples["receipt"]
    result = read(sample)
    truth = sample.truth
    for name in (
        "supplier_vat_number",
        "document_number",
        "date",
        "currency",
        "net",
        "vat",
        "total",
        "document_type",
    ):
        assert result.value(name) == truth[name], name
    assert result.value("supplier_name").upper() == truth["supplier_name"].upper()
    assert result.value("card_last_four") == (truth["card_last_four"] or None)
    assert result.value("vat_rate") == Decimal(20)
    assert not result.needs_attention, result.problems


@needs_tesseract
def test_it_points_each_field_at_the_words_it_came_from(samples):
    sample = samples["receipt"]
    pages = read_document(sample.data, sample.mime)
    result = extract(pages)
    page = pages[0]
    for name in ("total", "date", "supplier_name"):
        field = result.fields[name]
        assert 0 < field.confidence <= 1
        assert field.boxes
        words = [w for w in page.words for b in field.boxes if (w.left, w.top) == b[1:3]]
        assert words, name
    total_words = [
        w.text
        for w in page.words
        for b in result.fields["total"].boxes
        if (w.left, w.top) == b[1:3]
    ]
    assert f"{sample.truth['total']:,.2f}" in "".join(total_words)


@needs_tesseract
@pytest.mark.parametrize("name", ["receipt_photo", "receipt_heic", "invoice_photo"])
def test_it_reads_supplier_date_and_total_from_photos_and_phone_formats(samples, name):
    sample = samples[name]
    result = read(sample)
    assert result.value("total") == sample.truth["total"]
    assert result.value("date") == sample.truth["date"]
    assert result.value("supplier_name").upper() == sample.truth["supplier_name"].upper()


@needs_tesseract
def test_it_reads_an_invoice_and_not_the_customer_as_supplier(samples):
    sample = samples["invoice"]
    result = read(sample)
    truth = sample.truth
    assert result.value("document_type") == "invoice"
    assert result.value("supplier_name") == truth["supplier_name"]
    # Who it is addressed to is read too: on a sale, that is the customer.
    assert result.value("customer_name") == truth["customer_name"]
    for name in ("date", "due_date", "net", "vat", "total", "supplier_vat_number"):
        assert result.value(name) == truth[name], name


@pytest.mark.parametrize("name", ["invoice_pdf", "credit_note_pdf"])
def test_it_reads_every_field_and_line_of_a_born_digital_pdf(samples, name):
    sample = samples[name]
    result = read(sample)
    truth = sample.truth
    for field in FIELD_NAMES:
        assert result.value(field) == (truth[field] or None), field
    read_lines = [(i.description, i.quantity, i.unit_price, i.net) for i in result.lines]
    assert read_lines == [
        (t["description"], t["quantity"], t["unit_price"], t["net"]) for t in truth["lines"]
    ]
    assert all(check.ok for check in result.checks)
    assert {c.name for c in result.checks} >= {"net_plus_vat_is_gross", "lines_sum_to_total"}


@needs_tesseract
def test_it_tells_a_credit_note_from_an_invoice(samples):
    assert read(samples["credit_note"]).value("document_type") == "credit_note"


RECEIPT = [
    "CORNER FOOD STORE LTD",
    "12 High Street, Leeds",
    "VAT Reg No: GB 123 4567 82",
    "Date: 23/11/26 10:15",
    "Receipt No: 4471",
    "Coffee beans 2 x 6.00 12.00",
    "Oat milk 3.00",
    "Subtotal 15.00",
    "VAT @ 20% 3.00",
    "TOTAL £18.00",
    "VISA ************4321",
]


def test_it_passes_amounts_that_agree():
    result = extract([page_from_lines(RECEIPT)])
    assert [(c.name, c.ok) for c in result.checks] == [
        ("net_plus_vat_is_gross", True),
        ("lines_sum_to_total", True),
        ("vat_matches_rate", True),
    ]
    assert result.value("card_last_four") == "4321"
    assert result.value("date") == date(2026, 11, 23)
    assert [(i.description, i.quantity, i.unit_price, i.net) for i in result.lines] == [
        ("Coffee beans", 2, Decimal("6.00"), Decimal("12.00")),
        ("Oat milk", None, None, Decimal("3.00")),
    ]
    assert not result.needs_attention


def test_it_flags_amounts_that_disagree_and_says_why():
    good = extract([page_from_lines(RECEIPT)])
    lines = [line.replace("VAT @ 20% 3.00", "VAT @ 20% 3.50") for line in RECEIPT]
    bad = extract([page_from_lines(lines)])
    assert bad.needs_attention
    failed = {c.name for c in bad.checks if not c.ok}
    assert "vat_matches_rate" in failed
    assert any("20% of the net" in problem for problem in bad.problems)
    assert bad.fields["vat"].confidence < good.fields["vat"].confidence


def test_a_vat_no_smaller_than_the_total_is_flagged():
    # The total line was lost; the tax total is all that reads as one.
    lines = ["CORNER FOOD STORE LTD", "Date: 23/11/26", "Cash 30.00", "TOTAL TAX 1.56"]
    result = extract([page_from_lines(lines)])
    assert result.value("vat") == result.value("total") == Decimal("1.56")
    failed = [c for c in result.checks if not c.ok]
    assert [c.name for c in failed] == ["vat_below_total"]
    assert (
        failed[0].message == "The VAT 1.56 is not less than the total 1.56: one of them is misread."
    )
    assert result.needs_attention
    assert "vat_below_total" not in {c.name for c in extract([page_from_lines(RECEIPT)]).checks}


def test_a_net_worked_out_from_the_total_and_vat_proves_nothing():
    lines = ["CORNER FOOD STORE LTD", "Date: 23/11/26", "VAT @ 20% 3.00", "TOTAL 18.00"]
    result = extract([page_from_lines(lines)])
    assert result.value("net") == Decimal("15.00")
    assert "net_plus_vat_is_gross" not in {c.name for c in result.checks}
    checked = extract([page_from_lines(RECEIPT)])
    assert result.fields["total"].confidence < checked.fields["total"].confidence


def test_it_flags_a_document_without_a_total():
    result = extract([page_from_lines(["CORNER FOOD STORE LTD", "Date: 23/11/2026"])])
    assert result.needs_attention
    assert "The total could not be read." in result.problems


def test_it_serialises_to_plain_json():
    data = extract([page_from_lines(RECEIPT)]).to_dict()
    again = json.loads(json.dumps(data))
    assert again["fields"]["total"]["value"] == "18.00"
    assert again["fields"]["date"]["value"] == "2026-11-23"
    assert again["lines"][0]["net"] == "12.00"
    assert again["needs_attention"] is False


@pytest.mark.parametrize(
    "text, expected",
    [
        ("23/11/26", date(2026, 11, 23)),
        ("23 Nov 2026", date(2026, 11, 23)),
        ("23.11.2026", date(2026, 11, 23)),
        ("04/05/2026", date(2026, 5, 4)),
        ("11/23/2026", date(2026, 11, 23)),
        ("2026-11-23", date(2026, 11, 23)),
        ("November 23, 2026", date(2026, 11, 23)),
        ("23-Nov-26", date(2026, 11, 23)),
    ],
)
def test_it_reads_dates_day_first_unless_impossible(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # OCR split the year at a faint gap; the time follows.
        ("14/07/20 25 09:41", date(2025, 7, 14)),
        # A two-digit year followed by the time is not a split year.
        ("14/07/20 09:41", date(2020, 7, 14)),
        # The time ran into the year, its space lost.
        ("Date 09/01/20198:01:11PM", date(2019, 1, 9)),
        ("12-01-1921:13 SH01 ZK09", date(2019, 1, 12)),
        ("03Mar201818:22", date(2018, 3, 3)),
        # A time after a space, and a number that is no date, are read as before.
        ("23/11/2026 14:05", date(2026, 11, 23)),
        ("ref 12/34/567890", None),
    ],
)
def test_it_reads_a_year_ocr_split_in_two_or_ran_into_the_time(text, expected):
    assert parse_date(text) == expected


def test_it_checks_gb_vat_numbers_with_both_check_digit_rules():
    assert gb_check_digits_ok("GB 123 4567 82")  # modulus 97
    assert gb_check_digits_ok("123456727")  # the 9755 rule
    assert gb_check_digits_ok("123 4567 82 001")  # with a branch
    assert not gb_check_digits_ok("123456783")
    assert not gb_check_digits_ok("12345678")


@pytest.mark.parametrize(
    "line, code",
    [
        ("TOTAL €18.00", "EUR"),
        ("TOTAL RM18.00", "MYR"),
        ("TOTAL USD 18.00", "USD"),
        ("TOTAL £18.00", "GBP"),
        ("TOTAL 18.00", "GBP"),
    ],
)
def test_it_reads_the_currency_from_symbols_and_codes(line, code):
    result = extract([page_from_lines(["SHOP LTD", line])])
    assert result.value("currency") == code
    assert result.value("total") == Decimal("18.00")


def test_it_lands_a_smudged_name_on_the_known_supplier():
    lines = ["C0RNER F00D ST0RE", *RECEIPT[1:]]
    known = ["Corner Cafe Ltd", "Corner Food Store Ltd", "Food Store Wholesale"]
    result = extract([page_from_lines(lines)], known_suppliers=known)
    assert result.value("supplier_name") == "Corner Food Store Ltd"
    assert result.fields["supplier_name"].source == "known supplier by name"


def test_it_lands_a_name_printed_over_three_lines_or_inside_a_line_on_the_known_supplier():
    known = ["Aik Huat Trading", "Aik Huat Hardware Enterprise (Setia Alam) Sdn Bhd",
             "Riverside Stationers Ltd", "Crown Stationers Ltd"]  # fmt: skip
    lines = ["AIK HUAT HARDWARE", "ENTERPRISE (SETIA", "ALAM) SDN BHD", *RECEIPT[1:]]
    result = extract([page_from_lines(lines)], known_suppliers=known)
    assert result.value("supplier_name") == known[1]
    lines = ["Welcome to RIVERSIDE STATI0NERS", *RECEIPT[1:]]
    result = extract([page_from_lines(lines)], known_suppliers=known)
    assert result.value("supplier_name") == "Riverside Stationers Ltd"


@pytest.mark.parametrize(
    "read, expected",
    [
        # Only trade or street words in common: another business, shown as read.
        ("TOWN STATIONERS", "TOWN STATIONERS"),
        ("HIGH STREET GARAGE LTD", "HIGH STREET GARAGE LTD"),
        # The telling word a letter off, or cut short at its edge: the known supplier.
        ("CR0WN STATIONERS", "Crown Stationers Ltd"),
        ("GREEN STREE GARAGE", "Green Street Garage Ltd"),
        ("MEL LET RESTAURANT", "Mei Let Restaurant"),
        ("OPAC MARKETING SDN BHD", "Vivopac Marketing Sdn Bhd"),
        # Faint print left one letter of the first word; a word left whole must still agree.
        ("g Alaf Restaurants Sdn Bhd", "Gerbang Alaf Restaurants Sdn Bhd"),
        ("BROWN ALAF RESTAURANTS", "BROWN ALAF RESTAURANTS"),
    ],
)
def test_it_snaps_to_a_known_supplier_only_on_the_words_that_tell_it_apart(read, expected):
    known = ["Crown Stationers Ltd", "Green Street Garage Ltd", "Mei Let Restaurant",
             "Vivopac Marketing Sdn Bhd", "Gerbang Alaf Restaurants Sdn Bhd"]  # fmt: skip
    result = extract([page_from_lines([read, *RECEIPT[1:]])], known_suppliers=known)
    assert result.value("supplier_name") == expected


def test_it_finds_a_known_supplier_by_vat_number_first():
    known = [KnownSupplier("Corner Food Store Ltd"), KnownSupplier("CFS Trading", "GB123456782")]
    result = extract([page_from_lines(RECEIPT)], known_suppliers=known)
    assert result.value("supplier_name") == "CFS Trading"
    assert result.fields["supplier_name"].source == "known supplier by VAT number"


def test_it_puts_right_one_unreadable_vat_digit_by_the_check_digits():
    lines = ["CORNER FOOD STORE LTD", "VAT Reg No: GB/23456782", "TOTAL 18.00"]
    result = extract([page_from_lines(lines)])
    assert result.value("supplier_vat_number") == "GB123456782"
    # Two unreadable characters leave too many possibilities: nothing is invented.
    lines[1] = "VAT Reg No: GB/2345678?"
    assert extract([page_from_lines(lines)]).value("supplier_vat_number") != "GB123456782"


def test_it_takes_cash_less_change_when_the_total_is_unreadable():
    lines = ["CORNER CAFE", "Flat white 2.80", "Croissant 2.10", "T#T@L ~~", "CASH 10.00",
             "CHANGE 5.10"]  # fmt: skip
    result = extract([page_from_lines(lines)])
    assert result.value("total") == Decimal("4.90")
    assert result.fields["total"].source == "label: cash less change"


def test_it_prefers_the_total_after_a_rounding_adjustment():
    lines = ["CORNER CAFE", "TOTAL 33.92", "ROUNDING ADJ -0.02", "TOTAL 33.90", "CASH 50.00"]
    assert extract([page_from_lines(lines)]).value("total") == Decimal("33.90")
    lines = ["CORNER CAFE", "Total incl. tax 31.02", "Rounding Adj: -0.02", "Cash 50.00"]
    assert extract([page_from_lines(lines)]).value("total") == Decimal("31.00")


def _doubt(page, text, conf):
    """The same page with one word read less surely, as Tesseract reports a faint digit."""
    from dataclasses import replace

    page.words = [replace(w, conf=conf) if w.text == text else w for w in page.words]
    return page


def test_a_doubtful_total_one_digit_off_its_surely_read_parts_is_corrected_and_flagged():
    lines = ["CORNER CAFE", "Subtotal 106.10", "VAT 6.37", "Rounding -0.02", "TOTAL 112.46"]
    result = extract([_doubt(page_from_lines(lines, conf=92), "112.46", 60)])
    assert result.value("total") == Decimal("112.45")
    assert result.fields["total"].source == "sum of the parts (read as 112.46)"
    flagged = next(c for c in result.checks if c.name == "total_read_clearly")
    assert not flagged.ok
    assert flagged.message == "The total was read as 112.46; its parts add up to 112.45."
    # Read as surely as its parts that do not agree at a rate (6.40 is no standard rate of
    # 106.10), the printed total stands: a part may be the misread one.
    unsure = [line.replace("VAT 6.37", "VAT 6.40") for line in lines]
    assert extract([page_from_lines(unsure, conf=92)]).value("total") == Decimal("112.46")
    # So does a total two digits away from the sum: that is not one slip of the eye.
    lines[4] = "TOTAL 119.46"
    assert extract([_doubt(page_from_lines(lines, conf=92), "119.46", 60)]).value(
        "total"
    ) == Decimal("119.46")


def test_a_total_one_digit_off_a_net_and_vat_that_agree_at_a_rate_is_corrected():
    # Read as surely as the total, but the VAT is 6% of the net: the total is the odd one out.
    lines = ["CORNER CAFE", "Total Sales (Excluding GST) : 51.42", "Total GST : 3.08",
             "Total Sales (Inclusive of GST) 64.50"]  # fmt: skip
    result = extract([page_from_lines(lines)])
    assert result.value("total") == Decimal("54.50")
    assert result.misread == {"total": Decimal("64.50")}
    assert "The total was read as 64.50; its parts add up to 54.50." in result.problems
    # Parts that add up to 54.50 as well, but 3.18 is no standard rate of 51.32: no correction.
    lines[1:3] = ["Total Sales (Excluding GST) : 51.32", "Total GST : 3.18"]
    assert extract([page_from_lines(lines)]).value("total") == Decimal("64.50")


def test_a_total_label_read_with_an_l_for_its_t():
    lines = ["CORNER CAFE", "Sub-total 88.97", "Rounding Adj -0.02", "lotal After Adj 88.95",
             "CASH 100.00"]  # fmt: skip
    assert extract([page_from_lines(lines)]).value("total") == Decimal("88.95")
    assert extract([page_from_lines(lines)]).fields["total"].source == "label: lotal After Adj"


@pytest.mark.parametrize(
    "printed, expected",
    [("Total RM 31 4S", "31.45"), ("TOTAL 4i SO", "41.50"), ("Total RM 1l.40", "11.40")],
)
def test_it_reads_a_total_whose_point_or_digits_ocr_mangled(printed, expected):
    lines = ["CORNER CAFE", "Flat white 2.80", printed, "Thank you"]
    result = extract([page_from_lines(lines)])
    assert result.value("total") == Decimal(expected)


def test_it_does_not_read_a_count_after_a_total_label_as_money():
    lines = ["CORNER CAFE", "Total items 3 10", "TOTAL 12.40"]
    assert extract([page_from_lines(lines)]).value("total") == Decimal("12.40")
    lines = ["CORNER CAFE", "Flat white 2.80", "TOTAL SOON"]
    assert extract([page_from_lines(lines)]).value("total") != Decimal("5.00")


@pytest.mark.parametrize(
    "read, expected",
    [
        ("HERO OISTRIBUTION SDN BHD", "HERO DISTRIBUTION SDN BHD"),
        ("Corner Restaurent Ltd", "Corner Restaurant Ltd"),
        ("DOMINO'S PI2ZA", "DOMINO'S PIZZA"),
        ("LAVENDER BAKERY $/B", "LAVENDER BAKERY S/B"),
        ("Broadview Marketing 5dn Bhd", "Broadview Marketing Sdn Bhd"),
        ("AEON C0. (M) BHD", "AEON CO. (M) BHD"),
        # Words run together: a legal form, a business word, a number before a word.
        ("SINNATHAMBY HOLDINGSSDN BHD", "SINNATHAMBY HOLDINGS SDN BHD"),
        ("VIVOPACMARKETING SDN BHD", "VIVOPAC MARKETING SDN BHD"),
        ("99SPEED MART S/B", "99 SPEED MART S/B"),
        ("99 SPEED MART 5/B", "99 SPEED MART S/B"),
        # Left alone: numbers beside words, short words, plurals and names nothing resembles.
        ("TRIPLE SIX ENTERPRISE 666", "TRIPLE SIX ENTERPRISE 666"),
        ("7-ELEVEN", "7-ELEVEN"),
        ("B4U STORES", "B4U STORES"),
        ("ACME SERVICE LTD", "ACME SERVICE LTD"),
        ("GRAND HOTELS", "GRAND HOTELS"),
        ("ZHENG HUI", "ZHENG HUI"),
        ("SUPERMARKET EXPRESS", "SUPERMARKET EXPRESS"),
        ("WESTFIELD ENTERPRISES", "WESTFIELD ENTERPRISES"),
    ],
)
def test_it_undoes_ocr_slips_in_the_supplier_name(read, expected):
    lines = [read, "1 High Street", "Flat white 2.80", "TOTAL 2.80"]
    assert extract([page_from_lines(lines)]).value("supplier_name") == expected


def test_it_adds_up_a_tax_summary_whose_rows_agree_with_their_rates():
    lines = ["THREE STOOGES BISTRO", "SUB TOTAL 159.00", "SERVICE CHARGE 10% 15.90",
             "NET TOTAL 1#4.~", "CASH 200.00", "GST Summary Amount Tax",
             "SVC Service charge 10% 150.00 15.00", "SR GST 6% 165.00 9.90"]  # fmt: skip
    result = extract([page_from_lines(lines)])
    assert result.value("total") == Decimal("174.90")
    assert result.fields["total"].source == "label: tax summary"
    # A summary that prints each row's gross as well, over two rates.
    lines = ["ACME SUPPLIES LTD", "TOTAL ?#.~", "VAT analysis", "Rate Net VAT Gross",
             "S 20% 100.00 20.00 120.00", "Z 0% 12.50 0.00 12.50"]  # fmt: skip
    assert extract([page_from_lines(lines)]).value("total") == Decimal("132.50")
    lines = ["THREE STOOGES BISTRO", "NET TOTAL 1#4.~", "GST Summary Amount Tax",
             "SVC Service charge 10% 150.00 15.00", "SR GST 6% 165.00 9.90"]  # fmt: skip
    # A row that does not agree with its own rate was misread: the summary says nothing.
    lines[-1] = "SR GST 6% 165.00 8.90"
    assert extract([page_from_lines(lines)]).value("total") != Decimal("173.90")


def test_it_reads_a_document_number_through_ocr_slips_in_its_label_and_value():
    lines = ["CORNER CAFE", "109, $S21/1A, High Street", "Receipt No.: C$1801/26821",
             "INV NO; POS01/000123", "TOTAL 2.80"]  # fmt: skip
    result = extract([page_from_lines(lines)])
    assert result.value("document_number") == "CS1801/26821"
    # A dollar sign beside letters is a misread S, not a currency.
    assert result.value("currency") == "GBP"
    # Nor after an amount, where it stands for a tax code S.
    lines = ["CORNER CAFE", "Tea 1.40 $", "Cake 2.40 $", "TOTAL 3.80"]
    assert extract([page_from_lines(lines)]).value("currency") == "GBP"
    result = extract([page_from_lines(["CORNER CAFE", "INV NO; POS01/000123", "TOTAL $2.80"])])
    assert result.value("document_number") == "POS01/000123"
    assert result.value("currency") == "USD"


@pytest.mark.parametrize(
    "lines, rates",
    [
        (["ACME LTD", "Net 100.00", "VAT @ 20% 20.00", "VAT @ 5% 2.50", "TOTAL 122.50"],
         ["20", "5"]),
        (["ACME LTD", "VAT analysis", "S 20% 100.00 20.00", "Z 0% 12.50 0.00", "TOTAL 132.50"],
         ["20", "0"]),
        # A zero-rate row with nothing in it, a discount and a service charge are not rates.
        (["ACME LTD", "VAT analysis", "S 20% 100.00 20.00", "Z 0% 0.00 0.00", "TOTAL 120.00"],
         None),
        (["CAFE", "10% off -1.00", "Service charge 12.5% 1.25", "VAT 20% 2.00", "TOTAL 12.00"],
         None),
    ],
)  # fmt: skip
def test_it_flags_vat_charged_at_more_than_one_rate(lines, rates):
    result = extract([page_from_lines(lines)])
    assert (
        json.loads(json.dumps(result.to_dict()))["fields"].get("vat_rates", {}).get("value")
        == rates
    )
    flagged = [c.message for c in result.checks if c.name == "one_vat_rate"]
    if rates:
        shown = " and ".join(f"{r}%" for r in rates)
        assert flagged == [f"VAT is charged at {shown}: check each line's rate before publishing."]
        assert flagged[0] in result.problems
    else:
        assert flagged == []


def test_a_legal_form_read_above_the_name_is_put_back_after_it():
    # OCR returned the letterhead's second line ("SDN BHD") before the name itself.
    page = page_from_lines(
        ["SDN BHD", "KELANA BRIGHTWORKS TRADERS", "12 Jalan Mawar 3, 40000 Shah Alam", "TOTAL 9.50"]
    )
    assert extract([page]).value("supplier_name") == "KELANA BRIGHTWORKS TRADERS SDN BHD"


def test_a_label_in_front_of_the_company_name_is_dropped():
    page = page_from_lines(["Operated by: Harbour Lane Foods Ltd", "1 Quay Street", "TOTAL 4.20"])
    assert extract([page]).value("supplier_name") == "Harbour Lane Foods Ltd"
