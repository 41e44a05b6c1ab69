import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split


def main() -> None:
    df = pd.read_csv("iris.csv")

    data_train, data_test = train_test_split(
        df, test_size=0.2, stratify=df["species"], random_state=42
    )

    model = train_model(data_train)
    evaluate_model(model, data_test)


def train_model(data_train: pd.DataFrame) -> LogisticRegression:
    x = data_train.drop("species", axis=1).to_numpy()
    y = data_train["species"]

    model = LogisticRegression(solver="lbfgs", C=1, random_state=42)
    model.fit(x, y)

    accuracy = model.score(x, y)
    print(f"Training Accuracy: {accuracy}")

    return model


def evaluate_model(model: LogisticRegression, data_test: pd.DataFrame) -> pd.DataFrame:
    x = data_test.drop("species", axis=1).to_numpy()
    y = data_test["species"]

    accuracy = model.score(x, y)

    print(f"Test Accuracy: {accuracy}")

if __name__ == "__main__":
    main()
