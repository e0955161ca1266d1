from __future__ import annotations

from django.urls import path

from zoom_emulator import views

app_name = "zoom_emulator"

urlpatterns = [
    path("", views.index, name="index"),
]
