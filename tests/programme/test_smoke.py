def test_actions_api_lists_annex(client, programme):
    response = client.get("/api/v1/actions")
    assert response.status_code == 200
    assert [item["paragraph"] for item in response.json()["items"]] == list(range(46, 84))
