"""PleaDesk desktop: the Qt stations and the command line that composes the engines."""
