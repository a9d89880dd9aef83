def test_home_lists_the_six_stages(client):
    page = client.get("/").get_data(as_text=True)
    for title in ("Recruiter screen", "Technical phone screen", "Take-home", "Systems design", "ML systems",
                  "Mission and culture"):
        assert title in page
