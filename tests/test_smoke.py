def test_home_lists_the_six_stages(client):
    page = client.get("/").get_data(as_text=True)
    for title in (
        "Recruiter screen",
        "Technical phone screen",
        "Take-home",
        "Systems design",
        "ML systems",
        "Mission and culture",
    ):
        assert title in page


def test_every_page_names_a_favicon_that_exists(client):
    import re

    for path in ("/", "/account/login"):
        page = client.get(path).get_data(as_text=True)
        icon = re.search(r'<link rel="icon" href="([^"]+)"', page)
        assert icon, path
        with client.get(icon.group(1)) as res:  # closed: a static file's response holds the file open
            assert res.status_code == 200 and res.mimetype == "image/svg+xml" and b"<svg" in res.data
