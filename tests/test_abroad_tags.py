"""Capability tags of foreign notices: generated OCDS releases (labelled synthetic) in English,
Spanish, French, Portuguese and Russian, with their traps, and item classification codes; each
tag keeps its span. Target (issue 13): precision and recall of 0.95 or more."""

import json
import unicodedata

import pytest

from sousveil.classify.classify import classify
from sousveil.ingest.run import ingest
from sousveil.store.db import open_db

# (title, buyer, CPV or UNSPSC item, capabilities a reader finds in it)
CASES = [
    ("Supply and installation of CCTV cameras for the safe city project", "City Council", None, {"video"}),
    ("CCTV drain survey of the sewer network", "Water Utility", None, set()),
    ("Monitoring of the municipal budget execution", "Ministry of Finance", None, set()),
    ("Lawful interception management system", "National Police", None, {"phone_tracking"}),
    ("Biometric voter registration kits", "Electoral Commission", None, {"biometrics"}),
    ("Mobile forensics kits for the criminal investigation department", "Police Service", None, {"forensics"}),
    ("Deep packet inspection platform", "Communications Authority", None, {"internet_control"}),
    ("Office furniture and chairs", "Ministry of Interior", None, set()),
    ("Reversing camera for the refuse truck", "City Council", None, set()),
    ("Adquisición de cámaras de videovigilancia", "Secretaría de Seguridad Ciudadana", None, {"video"}),
    ("Sistema de reconocimiento facial en el aeropuerto", "Aeropuerto Internacional", None, {"video"}),
    ("Mantenimiento del edificio de la Cámara de Diputados", "Congreso", None, set()),
    ("Servicio de vigilancia y limpieza de oficinas", "Ayuntamiento", None, set()),
    ("Registro biométrico de ciudadanos", "Registro Nacional", None, {"biometrics"}),
    ("Programa Ciudad Segura: suministro de cámaras", "Municipalidad", None, {"video"}),
    ("CCTV para el proceso de la planta de tratamiento de aguas residuales", "Organismo de Agua", None, set()),
    ("Suministro de papelería y cámaras fotográficas", "Policía Nacional", None, set()),
    ("Cámaras IP para patrullaje", "Policía Nacional", None, {"video"}),  # weak, supported by the buyer
    ("Déploiement de la vidéoprotection urbaine", "Ville de Lyon", None, {"video"}),
    ("Lecture automatique de plaques d'immatriculation", "Préfecture", None, {"video"}),
    ("Enrôlement biométrique des électeurs", "Commission électorale", None, {"biometrics"}),
    ("Achat d'une caméra pour la Chambre de commerce", "Chambre de commerce", None, set()),
    ("Interception légale des communications", "Ministère de l'Intérieur", None, {"phone_tracking"}),
    ("Aquisição de câmeras de segurança para videomonitoramento", "Prefeitura", None, {"video"}),
    ("Câmara Municipal: material de escritório", "Câmara Municipal de Lisboa", None, set()),
    ("Cidade inteligente: iluminação pública", "Prefeitura", None, set()),  # weak, no support
    ("Serviço de perícia digital e extração forense", "Polícia Federal", None, {"forensics"}),
    ("Поставка оборудования для системы видеонаблюдения", "Администрация города", None, {"video"}),
    ("Мониторинг исполнения бюджета", "Министерство финансов", None, set()),
    ("Услуги видеоконференцсвязи", "Администрация", None, set()),
    ("Биометрическая регистрация граждан", "Министерство юстиции", None, {"biometrics"}),
    ("Оборудование СОРМ для оператора связи", "Министерство связи", None, {"phone_tracking"}),
    ("Equipos varios", "Municipio", ("CPV", "35125300", "Security cameras"), {"video"}),
    ("Equipment", "County", ("UNSPSC", "46171610", "Security cameras"), {"video"}),
    ("Mobiliario", "Municipio", ("CPV", "39130000", "Office furniture"), set()),
]


def release(i: int, title: str, buyer: str, item) -> dict:
    r = {"ocid": f"ocds-synthe-tag{i}", "id": "1", "date": "2020-01-02T00:00:00Z", "tag": ["tender"],
         "sousveil": {"synthetic": True, "label": "SYNTHETIC"}, "buyer": {"id": "b", "name": buyer},
         "tender": {"id": str(i), "title": title}}
    if item:
        scheme, code, description = item
        r["tender"]["items"] = [{"id": "1", "description": "SYNTHETIC item", "quantity": 10,
                                 "classification": {"scheme": scheme, "id": code, "description": description}}]
    return r


@pytest.fixture(scope="module")
def tagged(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tags")
    path = folder / "releases.jsonl"
    path.write_text("".join(json.dumps(release(i, *c[:3]), ensure_ascii=False) + "\n" for i, c in enumerate(CASES)),
                    encoding="utf-8")
    ingest([path], folder / "t.db", progress=False)
    return open_db(folder / "t.db")


def test_precision_and_recall_on_generated_foreign_releases(tagged):
    found = {}
    for project, cats in tagged.execute("select project_code, categories from notices"):
        found[int(project)] = set((cats or "").split())
    assert len(found) == len(CASES)
    tp = sum(len(found[i] & c[3]) for i, c in enumerate(CASES))
    fp = sum(len(found[i] - c[3]) for i, c in enumerate(CASES))
    fn = sum(len(c[3] - found[i]) for i, c in enumerate(CASES))
    wrong = {CASES[i][0]: (found[i], CASES[i][3]) for i in found if found[i] != CASES[i][3]}
    assert tp / (tp + fp) >= 0.95 and tp / (tp + fn) >= 0.95, wrong


def test_every_tag_keeps_its_span(tagged):
    rows = tagged.execute("select d.text, t.term, t.span_start, t.span_end from tags t join notices n on"
                          " n.id = t.notice_id join documents d on d.sha256 = n.sha256").fetchall()
    assert rows
    for text, term, start, end in rows:
        written, wanted = plain(text[start:end]), plain(term.rstrip("*"))
        assert written.startswith(wanted) if term.endswith("*") else written == wanted, (term, written)
    code = tagged.execute("select d.text, t.span_start, t.span_end from tags t join notices n on n.id = t.notice_id"
                          " join documents d on d.sha256 = n.sha256 where t.term = 'CPV 35125300'").fetchone()
    assert code and code[0][code[1]:code[2]] == "CPV 35125300"


def plain(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", s.lower()) if not unicodedata.combining(c))


def test_terms_match_whatever_the_case_and_accents():
    for text, term in (("ADQUISICIÓN DE CÁMARAS DE VIGILANCIA", "cámaras de vigilancia"),
                       ("adquisicion de camaras de vigilancia", "cámaras de vigilancia"),
                       ("Система Видеонаблюдения", "видеонаблюдени*"), ("VIDÉOSURVEILLANCE", "vidéosurveillance")):
        (tag,) = classify(text, "other")
        assert (tag.category, tag.term) == ("video", term)
        assert plain(text[tag.start:tag.end]).startswith(plain(term.rstrip("*")))
    (tag,) = classify("Система видеонаблюдения", "other")
    assert "Система видеонаблюдения"[tag.start:tag.end] == "видеонаблюдения"  # the stem's whole word
    assert classify("postcctvs", "police") == []  # whole words only
