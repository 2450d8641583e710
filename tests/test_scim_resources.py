"""How SCIM requests are read (accounts/scim/resources.py), without a database: the PATCH
forms Entra ID and SailPoint send, the attributes kept and ignored, and the refusals."""

import pytest

from accounts.scim.errors import ScimError
from accounts.scim.resources import (
    ENTERPRISE_SCHEMA,
    PATCH_SCHEMA,
    group_filter,
    group_patch_changes,
    patch_user,
    read_user,
)

STATE = {
    "userName": "tom.ellis@wmp.example",
    "externalId": "",
    "displayName": "Tom Ellis",
    "name": {"formatted": "Tom Ellis"},
    "title": "Detective Sergeant",
    "department": "Organised Crime",
    "active": True,
}


def patch(*operations):
    return patch_user(STATE, {"schemas": [PATCH_SCHEMA], "Operations": list(operations)})


@pytest.mark.parametrize(
    "operation",
    [
        {"op": "Replace", "path": "active", "value": "False"},
        {"op": "replace", "path": "active", "value": False},
        {"op": "replace", "value": {"active": False}},
        {"op": "Replace", "value": {"active": "false"}},
        {"op": "replace", "path": "active", "value": [{"value": "False"}]},
    ],
)
def test_each_form_of_deactivation_is_read_as_inactive(operation):
    assert patch(operation)["active"] is False


def test_path_less_values_with_dotted_and_full_urn_keys_are_applied():
    new = patch(
        {
            "op": "Add",
            "value": {
                "name.givenName": "Thomas",
                "name.familyName": "Ellis",
                f"{ENTERPRISE_SCHEMA}:department": "Public Protection",
                "title": "Inspector",
                "phoneNumbers": [{"value": "01234", "type": "work"}],
            },
        }
    )
    assert (new["displayName"], new["department"], new["title"]) == (
        "Thomas Ellis",
        "Public Protection",
        "Inspector",
    )


def test_half_a_name_leaves_the_name_alone_and_display_name_wins():
    assert patch({"op": "replace", "path": "name.givenName", "value": "T"})["displayName"] == (
        "Tom Ellis"
    )
    both = patch(
        {"op": "replace", "path": "name.givenName", "value": "T"},
        {"op": "replace", "path": "name.familyName", "value": "E"},
        {"op": "replace", "path": "displayName", "value": "Tom E"},
    )
    assert both["displayName"] == "Tom E"


def test_remove_clears_optional_text_and_refuses_required():
    assert patch({"op": "remove", "path": "title"})["title"] == ""
    assert patch({"op": "Remove", "path": f"{ENTERPRISE_SCHEMA}:department"})["department"] == ""
    for path in ("active", "userName", "displayName"):
        with pytest.raises(ScimError) as refused:
            patch({"op": "remove", "path": path})
        assert (refused.value.status, refused.value.scim_type) == (400, "mutability")


@pytest.mark.parametrize(
    ("body", "scim_type"),
    [
        ({"Operations": [{"op": "replace", "path": "title", "value": "x"}]}, "invalidSyntax"),
        ({"schemas": [PATCH_SCHEMA], "Operations": []}, "invalidSyntax"),
        (
            {"schemas": [PATCH_SCHEMA], "Operations": [{"op": "move", "path": "title"}]},
            "invalidSyntax",
        ),
        ({"schemas": [PATCH_SCHEMA], "Operations": [{"op": "remove"}]}, "noTarget"),
        ({"schemas": [PATCH_SCHEMA], "Operations": [{"op": "add", "value": "x"}]}, "invalidValue"),
        (
            {
                "schemas": [PATCH_SCHEMA],
                "Operations": [{"op": "add", "path": "a b c{", "value": 1}],
            },
            "invalidPath",
        ),
        (
            {"schemas": [PATCH_SCHEMA], "Operations": [{"op": "add", "path": "title", "value": 5}]},
            "invalidValue",
        ),
        ({"schemas": [PATCH_SCHEMA], "Operations": ["replace"]}, "invalidSyntax"),
    ],
)
def test_bad_patches_are_refused_with_their_scim_type(body, scim_type):
    with pytest.raises(ScimError) as refused:
        patch_user(STATE, body)
    assert refused.value.scim_type == scim_type


def test_a_user_is_read_from_display_name_or_name_and_active_only_when_sent():
    read = read_user({"userName": "A@B.example", "name": {"givenName": "Ann", "familyName": "Bee"}})
    assert (read["userName"], read["displayName"], read["active"]) == (
        "A@B.example",
        "Ann Bee",
        None,
    )
    from_email = read_user(
        {"emails": [{"value": "c@d.example", "primary": True}], "displayName": "C"}
    )
    assert from_email["userName"] == "c@d.example"
    assert read_user({"userName": "e@f.example", "active": "False"})["active"] is False


def test_group_changes_in_the_forms_clients_send():
    body = {
        "schemas": [PATCH_SCHEMA],
        "Operations": [
            {"op": "Add", "path": "members", "value": [{"value": "7"}, {"value": 8}]},
            {"op": "Remove", "path": "members", "value": [{"value": "9"}]},
            {"op": "remove", "path": 'members[value eq "10"]'},
            {"op": "replace", "value": {"members": [{"value": "11"}]}},
            {"op": "remove", "path": "members"},
        ],
    }
    assert group_patch_changes(body) == [
        ("add", ["7", "8"]),
        ("remove", ["9"]),
        ("remove", ["10"]),
        ("replace", ["11"]),
        ("remove", None),
    ]
    rename = {
        "schemas": [PATCH_SCHEMA],
        "Operations": [{"op": "replace", "path": "displayName", "value": "X"}],
    }
    with pytest.raises(ScimError, match="cannot be renamed"):
        group_patch_changes(rename)


def test_groups_are_filtered_only_as_clients_match_them():
    assert group_filter('displayName eq "Force staff"') == ("displayname", "Force staff")
    assert group_filter('id eq "force_staff"') == ("id", "force_staff")
    with pytest.raises(ScimError):
        group_filter('displayName co "staff"')


def test_a_work_email_beside_the_user_name_is_ignored_not_a_change_of_address():
    new = patch(
        {"op": "replace", "path": 'emails[type eq "work"].value', "value": "t.ellis@other.example"},
        {"op": "replace", "value": {"emails": [{"value": "x@y.example", "type": "work"}]}},
    )
    assert new["userName"] == "tom.ellis@wmp.example"
    with pytest.raises(ScimError, match="cannot be removed"):
        patch({"op": "remove", "path": "userName"})
