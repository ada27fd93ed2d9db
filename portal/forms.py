"""Portal forms: sign-in and the invitation's set-password form."""

from __future__ import annotations

from flask_appbuilder.validators import PasswordComplexityValidator
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    username = StringField(
        "Email or username",
        validators=[DataRequired("Enter your email or username."), Length(max=254)],
    )
    password = PasswordField("Password", validators=[DataRequired("Enter your password.")])


class InvitationForm(FlaskForm):
    password = PasswordField(
        "New password",
        validators=[DataRequired("Choose a password."), PasswordComplexityValidator()],
    )
    confirm = PasswordField(
        "Confirm password",
        validators=[
            DataRequired("Type the password again."),
            EqualTo("password", "The two passwords do not match."),
        ],
    )
