app_name = "resident"
urlpatterns: list = []
