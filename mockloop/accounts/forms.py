from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

MIN_PASSWORD = 10


class SignupForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])
    display_name = StringField("Display name", validators=[DataRequired(), Length(max=80)])
    password = PasswordField("Password", validators=[DataRequired(), Length(min=MIN_PASSWORD, max=200)])
    confirm = PasswordField("Repeat password", validators=[DataRequired(), EqualTo("password", "Passwords differ.")])


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired()])
    password = PasswordField("Password", validators=[DataRequired()])


class PasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired()])
    password = PasswordField("New password", validators=[DataRequired(), Length(min=MIN_PASSWORD, max=200)])
    confirm = PasswordField("Repeat new password",
                            validators=[DataRequired(), EqualTo("password", "Passwords differ.")])
